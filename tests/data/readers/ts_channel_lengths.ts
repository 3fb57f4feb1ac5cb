@classLabel true a
@data
1,2,3:4,5:a

@classLabel true a
@data
1,x,3:a

@classLabel true a
@data
1,inf,3:a

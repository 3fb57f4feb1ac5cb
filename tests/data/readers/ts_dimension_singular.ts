@dimension 2
@classLabel true a
@data
1,2:3,4:a

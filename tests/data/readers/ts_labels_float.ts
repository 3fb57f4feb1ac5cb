@classLabel true 1.0 2.0
@data
1,2:1.0
3,4:2.0

@classLabel true 01 1
@data
1,2:01
3,4:1

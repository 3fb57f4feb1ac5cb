@classLabel true café
@data
1,2:café

@classLabel true
@data
1,2:a

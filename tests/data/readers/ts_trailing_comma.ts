@classLabel true a
@data
1,2,:a

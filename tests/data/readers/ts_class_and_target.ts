@classLabel true a
@targetLabel true
@data
1,2:a

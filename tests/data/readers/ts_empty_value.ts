@classLabel true a
@data
1,,3:a

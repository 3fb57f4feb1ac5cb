@dimensions 2
@classLabel true a
@data
1,2:3,2e308:a

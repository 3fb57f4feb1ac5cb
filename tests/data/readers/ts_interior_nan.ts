@classLabel true a
@data
1,2,3:a
1,NaN,3:a

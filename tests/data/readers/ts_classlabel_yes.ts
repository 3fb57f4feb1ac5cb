@classLabel yes a b
@data
1,2:a

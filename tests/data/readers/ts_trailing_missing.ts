@missing true
@equalLength false
@classLabel true a b
@data
1,2,3:a
4,5,?:b

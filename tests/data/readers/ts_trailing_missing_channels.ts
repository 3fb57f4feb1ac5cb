@dimensions 2
@missing true
@classLabel true a b
@data
1,2,?:3,4,?:a
5,6,7:8,9,10:b

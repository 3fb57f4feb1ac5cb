% a tsml file
%
@problemName x
@classLabel true 1 2
@data
1,2:1
3,4:2

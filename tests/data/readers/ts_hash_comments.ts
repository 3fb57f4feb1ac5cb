#c
@problemName x
# mid-header
@classLabel true 1 2
@data
# in data
1,2:1

3,4:2

@dimensions 1
@dimensions 1
@data
1,2

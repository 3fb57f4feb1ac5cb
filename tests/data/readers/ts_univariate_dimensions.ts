@univariate true
@dimensions 3
@data
1:2:3

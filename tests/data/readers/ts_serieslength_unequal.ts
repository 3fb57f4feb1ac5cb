@equalLength false
@seriesLength 3
@data
1,2,3

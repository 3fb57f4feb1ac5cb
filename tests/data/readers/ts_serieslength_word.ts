@problemName Toy
@seriesLength 3.5
@data
1,2,3

@problemName Toy
@seriesLenght 3
@data
1,2,3

@problemName Toy
@missing maybe
@data
1,2

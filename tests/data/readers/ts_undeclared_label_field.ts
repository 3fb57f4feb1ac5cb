@problemName Toy
@data
1,2,3:a

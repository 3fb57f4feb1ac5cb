@problemName Toy
@dimensions two
@data
1,2:3,4

@problemName Toy
hello
@data
1,2

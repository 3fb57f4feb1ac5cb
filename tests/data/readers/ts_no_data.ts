@problemName Toy
@univariate true

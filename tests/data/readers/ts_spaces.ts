@dimensions	1
@classLabel true a
@data
 1, 2 ,3 : a 

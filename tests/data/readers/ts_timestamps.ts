@timeStamps true
@data
(2020-01-01 00:00:00,1)

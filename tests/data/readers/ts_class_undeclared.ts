@classLabel true walk run
@data
1,2:walk
3,4:swim

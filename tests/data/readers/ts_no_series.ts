@classLabel true a
@data

# nothing

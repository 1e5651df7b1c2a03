// Huying shell behaviour

module tikvts/test/porcupine

go 1.21

require github.com/anishathalye/porcupine v0.1.6

module example.com/goprog

go 1.19

require example.com/greet v0.1.0

replace example.com/greet v0.1.0 => ./greet

// The subjects of the benchlab experiment go-func-dispatch. A module of its
// own, so that the lab's module (../../go.mod) does not build, vet or test
// these programs; build.sh builds them.
module godispatch

go 1.26.0

// Package depcheck holds tests about the module as a whole: the pinned
// native bindings, the layout (stages at the top, support libraries under
// internal/), a doc.go in every package, and the dependency rules: nothing
// outside training/ and the two binaries built on it links libtorch, the
// edge side links no chart or font code. It has no non-test code and
// nothing imports it.
package depcheck

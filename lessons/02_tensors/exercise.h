// lessons/02_tensors/exercise.h - exercise 02: read a strided view yourself. Implement
// both functions in lessons/02_tensors/exercise.cpp; `make check-exercise N=02` compares
// them with the library (Tensor::strides, Tensor::to_vector). Reference answer:
// lessons/02_tensors/solution/exercise.cpp (try first).
#pragma once
#include <vector>

#include "core/tensor.h"

// The strides of a contiguous (row-major) tensor of this shape: the last dim has stride 1,
// each other dim the product of the sizes after it. (2,4,2,2) -> (16,4,2,1); () -> ().
sl::Shape contiguous_strides(const sl::Shape& shape);

// Every element of x in logical (row-major index) order, read straight from
// x.data() - x.offset() (the storage base) through x.offset() and x.strides(), the way
// Tensor::contiguous's copy kernel reads. Must work for any view: transposed, narrowed,
// expanded (stride 0), 0-dim. Do not call contiguous(), clone(), reshape() or to_vector().
std::vector<float> gather_strided(const sl::Tensor& x);

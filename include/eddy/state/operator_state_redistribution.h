// How operator list state is split among the subtasks after a change of parallelism. Both take
// the lists of the old subtasks, in subtask order, and return one list per new subtask.
#pragma once

#include <cstddef>
#include <vector>

#include "eddy/state/state_exception.h"

namespace eddy {

namespace state {
// Throws StateException unless new_parallelism >= 1.
void check_new_parallelism(int new_parallelism);
}  // namespace state

// Even split (ListState): the old lists are concatenated in subtask order and cut into
// new_parallelism contiguous parts of nearly equal size, the first parts one element larger.
// 5 elements over 3 subtasks: sizes 2, 2, 1.
template <class V>
std::vector<std::vector<V>> redistribute_even_split(
    const std::vector<std::vector<V>>& per_old_subtask, int new_parallelism) {
  state::check_new_parallelism(new_parallelism);
  std::vector<V> all;
  for (const std::vector<V>& part : per_old_subtask)
    all.insert(all.end(), part.begin(), part.end());
  const size_t parts = static_cast<size_t>(new_parallelism);
  const size_t base = all.size() / parts;
  const size_t larger = all.size() % parts;  // this many parts get base + 1 elements
  std::vector<std::vector<V>> result(parts);
  size_t next = 0;
  for (size_t i = 0; i < parts; ++i) {
    const size_t size = base + (i < larger ? 1 : 0);
    result[i].assign(all.begin() + static_cast<std::ptrdiff_t>(next),
                     all.begin() + static_cast<std::ptrdiff_t>(next + size));
    next += size;
  }
  return result;
}

// Union (union ListState): every new subtask gets all elements of all old subtasks, in subtask
// order.
template <class V>
std::vector<std::vector<V>> redistribute_union(const std::vector<std::vector<V>>& per_old_subtask,
                                               int new_parallelism) {
  state::check_new_parallelism(new_parallelism);
  std::vector<V> all;
  for (const std::vector<V>& part : per_old_subtask)
    all.insert(all.end(), part.begin(), part.end());
  return std::vector<std::vector<V>>(static_cast<size_t>(new_parallelism), all);
}

}  // namespace eddy

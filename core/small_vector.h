// core/small_vector.h - SmallVector<T, N>: a std::vector look-alike that keeps up to N
// elements inside itself and only beyond that takes a block from the small-object pool
// (core/alloc_pool.h). Shapes and strides (Shape, at most kMaxDims long) and a Node's inputs
// use it, so making a tensor or recording an op allocates nothing. It converts to and from
// std::vector<T>, so code written against std::vector keeps compiling. Not here: anything a
// std::vector has that the project does not use (allocators, emplace in the middle, ...).
#pragma once
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/alloc_pool.h"

namespace sl {

template <class T, std::size_t N>
class SmallVector {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using pointer = T*;
  using const_pointer = const T*;
  using iterator = T*;
  using const_iterator = const T*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  // [SECTION] construction
  SmallVector() noexcept = default;
  explicit SmallVector(size_type n) { resize(n); }
  SmallVector(size_type n, const T& v) { resize(n, v); }
  SmallVector(std::initializer_list<T> il) { assign(il.begin(), il.end()); }
  template <class It, class = std::enable_if_t<!std::is_integral_v<It>>>
  SmallVector(It first, It last) {
    assign(first, last);
  }
  SmallVector(const std::vector<T>& v) { assign(v.begin(), v.end()); }  // NOLINT: implicit
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept { take(std::move(o)); }
  ~SmallVector() {
    clear();
    release();
  }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      clear();
      release();
      take(std::move(o));
    }
    return *this;
  }
  SmallVector& operator=(std::initializer_list<T> il) {
    assign(il.begin(), il.end());
    return *this;
  }
  operator std::vector<T>() const { return std::vector<T>(begin(), end()); }  // NOLINT

  template <class It>
  void assign(It first, It last) {
    clear();
    reserve((size_type)std::distance(first, last));
    for (; first != last; ++first) new (data_ + size_++) T(*first);
  }
  void assign(size_type n, const T& v) {
    clear();
    resize(n, v);
  }

  // [SECTION] access
  size_type size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_type capacity() const noexcept { return cap_; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  T& operator[](size_type i) noexcept { return data_[i]; }
  const T& operator[](size_type i) const noexcept { return data_[i]; }
  T& front() noexcept { return data_[0]; }
  const T& front() const noexcept { return data_[0]; }
  T& back() noexcept { return data_[size_ - 1]; }
  const T& back() const noexcept { return data_[size_ - 1]; }
  iterator begin() noexcept { return data_; }
  iterator end() noexcept { return data_ + size_; }
  const_iterator begin() const noexcept { return data_; }
  const_iterator end() const noexcept { return data_ + size_; }
  const_iterator cbegin() const noexcept { return data_; }
  const_iterator cend() const noexcept { return data_ + size_; }
  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

  // [SECTION] changing the size
  void reserve(size_type n) {
    if (n <= cap_) return;
    const size_type cap = std::max(n, cap_ * 2);
    T* fresh = static_cast<T*>(pool_alloc(cap * sizeof(T)));
    for (size_type i = 0; i < size_; ++i) {
      new (fresh + i) T(std::move(data_[i]));
      data_[i].~T();
    }
    release();
    data_ = fresh;
    cap_ = cap;
  }
  void clear() noexcept {
    for (size_type i = 0; i < size_; ++i) data_[i].~T();
    size_ = 0;
  }
  void resize(size_type n) {
    reserve(n);
    while (size_ < n) new (data_ + size_++) T();
    while (size_ > n) data_[--size_].~T();
  }
  void resize(size_type n, const T& v) {
    reserve(n);
    while (size_ < n) new (data_ + size_++) T(v);
    while (size_ > n) data_[--size_].~T();
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  template <class... A>
  T& emplace_back(A&&... a) {
    if (size_ == cap_) {
      T tmp(std::forward<A>(a)...);  // `a` may refer into this vector
      reserve(size_ + 1);
      return *new (data_ + size_++) T(std::move(tmp));
    }
    return *new (data_ + size_++) T(std::forward<A>(a)...);
  }
  void pop_back() noexcept { data_[--size_].~T(); }
  iterator insert(const_iterator pos, T v) {
    const size_type i = (size_type)(pos - data_);
    emplace_back(std::move(v));
    std::rotate(data_ + i, data_ + size_ - 1, data_ + size_);
    return data_ + i;
  }
  template <class It, class = std::enable_if_t<!std::is_integral_v<It>>>
  iterator insert(const_iterator pos, It first, It last) {
    const size_type i = (size_type)(pos - data_), old = size_;
    for (; first != last; ++first) emplace_back(*first);
    std::rotate(data_ + i, data_ + old, data_ + size_);
    return data_ + i;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    T* f = data_ + (first - data_);
    T* l = data_ + (last - data_);
    T* new_end = std::move(l, data_ + size_, f);
    while (data_ + size_ > new_end) data_[--size_].~T();
    return f;
  }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator<(const SmallVector& a, const SmallVector& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  T* inline_data() noexcept { return reinterpret_cast<T*>(buf_); }
  void release() noexcept {  // frees the pool block, if any (elements already destroyed)
    if (data_ != inline_data()) pool_free(data_, cap_ * sizeof(T));
    data_ = inline_data();
    cap_ = N;
  }
  void take(SmallVector&& o) noexcept {  // *this is empty and inline
    if (o.data_ != o.inline_data()) {    // steal the block
      data_ = o.data_;
      cap_ = o.cap_;
      size_ = o.size_;
      o.data_ = o.inline_data();
      o.cap_ = N;
      o.size_ = 0;
      return;
    }
    for (size_type i = 0; i < o.size_; ++i) new (data_ + i) T(std::move(o.data_[i]));
    size_ = o.size_;
    o.clear();
  }

  T* data_ = inline_data();
  size_type size_ = 0, cap_ = N;
  alignas(T) unsigned char buf_[N * sizeof(T)];
};

}  // namespace sl

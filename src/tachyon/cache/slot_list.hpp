// Intrusive doubly linked lists of slots kept in arrays indexed by slot: the building block of the
// eviction policies' queues and the timer wheel's buckets (no node allocation, O(1) everything).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace tachyon::cache {

using Slot = std::uint32_t;  // dense index of a resident entry, chosen by the store
inline constexpr Slot no_slot = std::numeric_limits<Slot>::max();

// The previous/next links of every slot. Several SlotLists share one SlotLinks because a slot is in at
// most one of them at a time (LRU window, probation or protected; one bucket of the wheel), the way
// Caffeine's nodes carry one pair of access-order links whichever deque holds them.
class SlotLinks {
 public:
  // Grows the arrays so that `slot` has links. Doubling keeps growth amortized O(1), and a store that
  // reuses slots below its capacity stops allocating once the arrays reach it.
  void ensure(Slot slot) {
    if (slot < links_.size()) return;
    std::size_t size = links_.empty() ? 16 : links_.size();
    while (size <= slot) size *= 2;
    links_.resize(size, Link{});
  }
  Slot next(Slot slot) const { return links_[slot].next; }
  Slot previous(Slot slot) const { return links_[slot].previous; }

 private:
  friend class SlotList;
  // A slot's two links side by side: unlinking and relinking touch one line per slot involved.
  struct Link {
    Slot previous = no_slot;
    Slot next = no_slot;
  };
  std::vector<Link> links_;
};

// One list: front is the oldest end (the eviction end of an LRU queue), back the newest. The caller
// guarantees that a slot is linked into at most one list of the same SlotLinks, and that `links`
// already covers it (SlotLinks::ensure).
class SlotList {
 public:
  bool empty() const { return front_ == no_slot; }
  std::size_t size() const { return size_; }
  Slot front() const { return front_; }
  Slot back() const { return back_; }

  void push_back(SlotLinks& links, Slot slot) {
    links.links_[slot].previous = back_;
    links.links_[slot].next = no_slot;
    if (back_ == no_slot) {
      front_ = slot;
    } else {
      links.links_[back_].next = slot;
    }
    back_ = slot;
    ++size_;
  }

  void push_front(SlotLinks& links, Slot slot) {
    links.links_[slot].next = front_;
    links.links_[slot].previous = no_slot;
    if (front_ == no_slot) {
      back_ = slot;
    } else {
      links.links_[front_].previous = slot;
    }
    front_ = slot;
    ++size_;
  }

  // Links `slot` right after `position`, which is in this list.
  void insert_after(SlotLinks& links, Slot position, Slot slot) {
    Slot following = links.links_[position].next;
    if (following == no_slot) {
      push_back(links, slot);
      return;
    }
    links.links_[slot].previous = position;
    links.links_[slot].next = following;
    links.links_[position].next = slot;
    links.links_[following].previous = slot;
    ++size_;
  }

  void erase(SlotLinks& links, Slot slot) {
    Slot previous = links.links_[slot].previous;
    Slot next = links.links_[slot].next;
    if (previous == no_slot) {
      front_ = next;
    } else {
      links.links_[previous].next = next;
    }
    if (next == no_slot) {
      back_ = previous;
    } else {
      links.links_[next].previous = previous;
    }
    links.links_[slot].previous = no_slot;
    links.links_[slot].next = no_slot;
    --size_;
  }

  void move_to_back(SlotLinks& links, Slot slot) {
    if (back_ == slot) return;
    erase(links, slot);
    push_back(links, slot);
  }

  // Forgets every member without touching their links: the caller walks the detached chain from the
  // returned front with SlotLinks::next (the timer wheel empties a bucket this way before re-filing).
  Slot detach_all() {
    Slot front = front_;
    front_ = back_ = no_slot;
    size_ = 0;
    return front;
  }

 private:
  Slot front_ = no_slot;
  Slot back_ = no_slot;
  std::size_t size_ = 0;
};

}  // namespace tachyon::cache

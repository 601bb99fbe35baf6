// Decoding what AT-SPI's D-Bus replies carry, for the pipelined walk:
// interface names to bits, role and state numbers to libatspi's names, object
// references, and the bulk basics of org.a11y.atspi.Cache.GetItems.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "xsession/a11y/helper/call_pipe.h"

namespace deskbox::a11y {

enum Iface : unsigned {
    kHasAction = 1u << 0,
    kHasComponent = 1u << 1,
    kHasEditableText = 1u << 2,
    kHasImage = 1u << 3,
    kHasSelection = 1u << 4,
    kHasTable = 1u << 5,
    kHasText = 1u << 6,
    kHasValue = 1u << 7,
};

// The bit of an interface name ("org.a11y.atspi.Text"), 0 for the others.
unsigned iface_bit(std::string_view name);
// libatspi's name of a role number ("push button"); empty for unknown and extended roles.
const std::string& role_name(std::uint32_t role);
// pyatspi's name of a state bit ("showing"); empty past the known states.
const std::string& state_name_of_bit(int bit);
// The (so) object reference in `so`.
ObjRef ref_from(GVariant* so);

// What an application's org.a11y.atspi.Cache.GetItems says of one object:
// the toolkit bridge computes these when asked, so they are current.
struct CachedBasics {
    std::string name, description;
    std::uint64_t states = 0;
    unsigned ifaces = 0;
    std::uint32_t role = 0;
    int child_count = 0;
};

// Adds the objects of a GetItems reply ("(a((so)(so)(so)iiassusau))") owned by
// `bus` to `cache` under "bus\npath", names cut to `max_text` characters, at
// most 200000 per reply (past it, elements are asked one by one).
void read_cache_items(const std::string& bus, GVariant* reply, int max_text,
                      std::unordered_map<std::string, CachedBasics>& cache);

}  // namespace deskbox::a11y

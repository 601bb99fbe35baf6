// Move-only owners for what libatspi and GLib hand out: object references,
// strings, errors. Every getter of libatspi returns a new reference or a new
// string; these make sure each is released exactly once.
#pragma once

#include <atspi/atspi.h>

#include <string>
#include <utility>

namespace deskbox::a11y {

template <typename T>
class GRef {
public:
    GRef() = default;
    explicit GRef(T* p) : p_(p) {}
    GRef(GRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    GRef& operator=(GRef&& o) noexcept {
        if (this != &o) reset(std::exchange(o.p_, nullptr));
        return *this;
    }
    GRef(const GRef&) = delete;
    GRef& operator=(const GRef&) = delete;
    ~GRef() { reset(); }
    T* get() const { return p_; }
    explicit operator bool() const { return p_ != nullptr; }
    void reset(T* p = nullptr) {
        if (p_) g_object_unref(p_);
        p_ = p;
    }

private:
    T* p_ = nullptr;
};

// Owns one GError; `out()` is what libatspi's GError** parameters take.
class GErrorBox {
public:
    GErrorBox() = default;
    GErrorBox(const GErrorBox&) = delete;
    GErrorBox& operator=(const GErrorBox&) = delete;
    ~GErrorBox() { clear(); }
    GError** out() {
        clear();
        return &e_;
    }
    bool failed() const { return e_ != nullptr; }
    std::string message() const { return e_ && e_->message ? e_->message : "unknown error"; }
    void clear() {
        if (e_) g_error_free(e_);
        e_ = nullptr;
    }

private:
    GError* e_ = nullptr;
};

// Takes ownership of a g_malloc'ed string and copies it out ("" for null).
inline std::string take_string(gchar* s) {
    if (!s) return {};
    std::string out(s);
    g_free(s);
    return out;
}

}  // namespace deskbox::a11y

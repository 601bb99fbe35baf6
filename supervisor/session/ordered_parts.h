// An owner of parts in start order, torn down in reverse order on every path.
//
//   OrderedParts parts;
//   Audit& audit = parts.start<Audit>("audit", ...);    // constructing a part starts it
//   Proxy& proxy = parts.start<Proxy>("proxy", audit);  // a later part may use an earlier one
//   ...
//   std::vector<std::string> problems = parts.stop_all();   // or the destructor
//
// stop_all() stops and destroys the parts last started first: a part is gone
// before anything it was given at construction. A start that throws adds
// nothing; the parts started before it stay until stop_all() or the owner's
// destruction, so a failed start, an exception, a signal and a normal end all
// tear down the same way. Parts get what they need at construction (data, the
// earlier parts, a narrow callback such as "request stop"); nothing calls back
// into the owner.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace deskbox {

class Part {
public:
    virtual ~Part() = default;
    // The orderly end, before destruction, while the parts started earlier
    // still exist. May throw: the error is reported and teardown continues.
    virtual void stop() {}
};

class OrderedParts {
public:
    OrderedParts() = default;
    OrderedParts(const OrderedParts&) = delete;
    OrderedParts& operator=(const OrderedParts&) = delete;
    ~OrderedParts() { stop_all(); }

    template <class T, class... Args>
    T& start(std::string name, Args&&... args) {
        auto part = std::make_unique<T>(std::forward<Args>(args)...);
        T& ref = *part;
        parts_.push_back({std::move(name), std::move(part)});
        return ref;
    }

    // Stops, then destroys, every part, last started first. Returns "NAME: error"
    // for each stop that threw. Calling it again does nothing.
    std::vector<std::string> stop_all() {
        std::vector<std::string> problems;
        while (!parts_.empty()) {
            Entry last = std::move(parts_.back());
            parts_.pop_back();
            try {
                last.part->stop();
            } catch (const std::exception& e) {
                problems.push_back(last.name + ": " + e.what());
            } catch (...) {
                problems.push_back(last.name + ": unknown error");
            }
            last.part.reset();
        }
        return problems;
    }

    // The running parts' names, in start order.
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : parts_) out.push_back(e.name);
        return out;
    }
    bool empty() const { return parts_.empty(); }

private:
    struct Entry {
        std::string name;
        std::unique_ptr<Part> part;
    };
    std::vector<Entry> parts_;
};

}  // namespace deskbox

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
#include <functional>
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

    // What the owner is told while the parts stop: each problem at once (so a
    // part stopped later, such as the audit log's teardown record, knows it),
    // and each part once stopped, before it is destroyed (its last state).
    struct StopObserver {
        std::function<void(const std::string& problem)> on_problem;
        std::function<void(const Part& stopped)> on_stopped;
    };

    // Stops, then destroys, every part, last started first. Returns "NAME: error"
    // for each stop that threw. Calling it again does nothing.
    std::vector<std::string> stop_all(const StopObserver& observer = {}) { return stop_after(nullptr, observer); }
    // As stop_all(), but only the parts started after `keep` (all of them when
    // `keep` is nullptr or not running): the owner's step between two parts.
    std::vector<std::string> stop_after(const Part* keep, const StopObserver& observer = {}) {
        bool running = false;
        for (const auto& e : parts_) running = running || e.part.get() == keep;
        std::vector<std::string> problems;
        while (!parts_.empty() && !(running && parts_.back().part.get() == keep)) {
            Entry last = std::move(parts_.back());
            parts_.pop_back();
            try {
                last.part->stop();
            } catch (const std::exception& e) {
                problems.push_back(last.name + ": " + e.what());
                if (observer.on_problem) observer.on_problem(problems.back());
            } catch (...) {
                problems.push_back(last.name + ": unknown error");
                if (observer.on_problem) observer.on_problem(problems.back());
            }
            if (observer.on_stopped) observer.on_stopped(*last.part);
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
    // The running part of type T started last, nullptr when none runs.
    template <class T>
    T* find() const {
        for (auto it = parts_.rbegin(); it != parts_.rend(); ++it)
            if (auto* t = dynamic_cast<T*>(it->part.get())) return t;
        return nullptr;
    }
    // Calls f(part) for each running part, in start order.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& e : parts_) f(static_cast<const Part&>(*e.part));
    }

private:
    struct Entry {
        std::string name;
        std::unique_ptr<Part> part;
    };
    std::vector<Entry> parts_;
};

}  // namespace deskbox

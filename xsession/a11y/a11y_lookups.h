// The accessibility questions the gate's context asks (the element a target
// names, the element under a point, the focused element, the window's browser
// document), answered through a callback. LoopLookups (loop_lookups.h) answers
// later, from the session's event loop, so a proposal waits for an app without
// holding the loop; BlockingLookups answers before it returns (the blocking
// client), for callers that need the context at once.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "supervisor/base/error.h"
#include "xsession/a11y/a11y_client.h"

namespace deskbox::a11y {

// What one lookup gave: a value, or why there is none (a timeout, the helper
// gone, a malformed reply). Never both, never neither.
template <class T>
struct Looked {
    std::optional<T> value;
    std::string error;

    static Looked of(T v) { return Looked{std::move(v), {}}; }
    static Looked failed(std::string why) {
        return Looked{std::nullopt, why.empty() ? "unknown error" : std::move(why)};
    }
    // The value, or the error that ended the lookup, thrown as deskbox::Error.
    const T& value_or_throw() const {
        if (!value) throw Error(error);
        return *value;
    }
};

class A11yLookups {
public:
    using Found = std::function<void(Looked<FindResult>)>;
    using Seen = std::function<void(Looked<std::optional<Element>>)>;  // nullopt value: nothing there
    using Browser = std::function<void(Looked<BrowserContext>)>;

    virtual ~A11yLookups() = default;
    // Each calls its callback exactly once, now or later.
    virtual void find(const ElementTarget& target, Found done) = 0;
    virtual void hit_test(Point screen_point, Seen done) = 0;
    virtual void focused(Seen done) = 0;
    virtual void browser_context(const std::string& app, const std::string& window, Browser done) = 0;
};

// Asks the client's blocking calls; every callback has run when the call returns.
class BlockingLookups : public A11yLookups {
public:
    explicit BlockingLookups(A11yClient& client) : client_(client) {}
    void find(const ElementTarget& target, Found done) override;
    void hit_test(Point screen_point, Seen done) override;
    void focused(Seen done) override;
    void browser_context(const std::string& app, const std::string& window, Browser done) override;

private:
    A11yClient& client_;
};

}  // namespace deskbox::a11y

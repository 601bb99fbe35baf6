#include "xsession/a11y/a11y_lookups.h"

#include "supervisor/base/error.h"

namespace deskbox::a11y {

namespace {

// Runs `ask` and hands its value or its error to `done`, outside the try: an
// exception from `done` is the caller's, not a failed lookup.
template <class T, class Ask>
void answer(const std::function<void(Looked<T>)>& done, Ask ask) {
    Looked<T> got;
    try {
        got = Looked<T>::of(ask());
    } catch (const Error& e) {
        got = Looked<T>::failed(e.what());
    }
    done(std::move(got));
}

}  // namespace

void BlockingLookups::find(const ElementTarget& target, Found done) {
    answer<FindResult>(done, [&] { return client_.find(target); });
}

void BlockingLookups::hit_test(Point p, Seen done) {
    answer<std::optional<Element>>(done, [&] { return client_.hit_test(p); });
}

void BlockingLookups::focused(Seen done) {
    answer<std::optional<Element>>(done, [&] { return client_.focused(); });
}

void BlockingLookups::browser_context(const std::string& app, const std::string& window, Browser done) {
    answer<BrowserContext>(done, [&] { return client_.browser_context(app, window); });
}

}  // namespace deskbox::a11y

// Stub of Unreal's TOptional (see ../CoreMinimal.h for what these stubs are and are not).
#pragma once

#include "CoreMinimal.h"

#include <optional>

template <typename OptionalType> class TOptional {
public:
    TOptional() = default;
    TOptional(const OptionalType &InValue) : Value(InValue) {}
    TOptional(OptionalType &&InValue) : Value(std::move(InValue)) {}

    bool IsSet() const { return Value.has_value(); }
    explicit operator bool() const { return IsSet(); }
    OptionalType &GetValue() { return *Value; }
    const OptionalType &GetValue() const { return *Value; }
    void Reset() { Value.reset(); }

private:
    std::optional<OptionalType> Value;
};

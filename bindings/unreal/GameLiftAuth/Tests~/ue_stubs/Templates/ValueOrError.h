// Stub of Unreal's TValueOrError (UE 5 API: MakeValue/MakeError proxies, HasValue, HasError,
// GetValue, GetError, TryGetValue, TryGetError, StealValue, StealError). As in Unreal, there is no
// default constructor: a result is made from MakeValue(...) or MakeError(...) only. See
// ../CoreMinimal.h for what these stubs are and are not.
#pragma once

#include "CoreMinimal.h"

#include <tuple>
#include <variant>

template <typename... ArgTypes> struct TValueOrError_ValueProxy {
    explicit TValueOrError_ValueProxy(ArgTypes &&...InArgs) : Args(std::forward<ArgTypes>(InArgs)...) {}
    std::tuple<ArgTypes &&...> Args;
};

template <typename... ArgTypes> struct TValueOrError_ErrorProxy {
    explicit TValueOrError_ErrorProxy(ArgTypes &&...InArgs) : Args(std::forward<ArgTypes>(InArgs)...) {}
    std::tuple<ArgTypes &&...> Args;
};

template <typename... ArgTypes> TValueOrError_ValueProxy<ArgTypes...> MakeValue(ArgTypes &&...Args) {
    return TValueOrError_ValueProxy<ArgTypes...>(std::forward<ArgTypes>(Args)...);
}

template <typename... ArgTypes> TValueOrError_ErrorProxy<ArgTypes...> MakeError(ArgTypes &&...Args) {
    return TValueOrError_ErrorProxy<ArgTypes...>(std::forward<ArgTypes>(Args)...);
}

template <typename ValueType, typename ErrorType> class TValueOrError {
    struct FWrapError {
        ErrorType Error;
    };
    struct FEmpty {};

public:
    template <typename... ArgTypes>
    TValueOrError(TValueOrError_ValueProxy<ArgTypes...> &&Proxy)
        : Variant(std::in_place_type<ValueType>, std::make_from_tuple<ValueType>(std::move(Proxy.Args))) {}

    template <typename... ArgTypes>
    TValueOrError(TValueOrError_ErrorProxy<ArgTypes...> &&Proxy)
        : Variant(std::in_place_type<FWrapError>, FWrapError{std::make_from_tuple<ErrorType>(std::move(Proxy.Args))}) {}

    bool HasValue() const { return std::holds_alternative<ValueType>(Variant); }
    bool HasError() const { return std::holds_alternative<FWrapError>(Variant); }

    ValueType &GetValue() { return *std::get_if<ValueType>(&Variant); }
    const ValueType &GetValue() const { return *std::get_if<ValueType>(&Variant); }
    ErrorType &GetError() { return std::get_if<FWrapError>(&Variant)->Error; }
    const ErrorType &GetError() const { return std::get_if<FWrapError>(&Variant)->Error; }
    ValueType *TryGetValue() { return std::get_if<ValueType>(&Variant); }
    ErrorType *TryGetError() {
        FWrapError *Wrap = std::get_if<FWrapError>(&Variant);
        return Wrap != nullptr ? &Wrap->Error : nullptr;
    }

    ValueType StealValue() {
        ValueType Temp = std::move(GetValue());
        Variant.template emplace<FEmpty>();
        return Temp;
    }
    ErrorType StealError() {
        ErrorType Temp = std::move(GetError());
        Variant.template emplace<FEmpty>();
        return Temp;
    }

private:
    std::variant<ValueType, FWrapError, FEmpty> Variant;
};

// Stub of IPluginManager / IPlugin and the TSharedPtr they hand out (see ../CoreMinimal.h for what
// these stubs are and are not).
#pragma once

#include "CoreMinimal.h"

#include <memory>

template <typename ObjectType> class TSharedPtr {
public:
    TSharedPtr() = default;
    bool IsValid() const { return Object != nullptr; }
    ObjectType *Get() const { return Object.get(); }
    ObjectType *operator->() const { return Object.get(); }
    ObjectType &operator*() const { return *Object; }

private:
    std::shared_ptr<ObjectType> Object;
};

class IPlugin {
public:
    virtual ~IPlugin() = default;
    virtual FString GetBaseDir() const = 0;
};

class IPluginManager {
public:
    virtual ~IPluginManager() = default;
    static IPluginManager &Get();
    virtual TSharedPtr<IPlugin> FindPlugin(const FString &Name) = 0;
};

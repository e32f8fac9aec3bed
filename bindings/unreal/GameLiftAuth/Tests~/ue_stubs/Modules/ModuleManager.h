// Stub of Unreal's IMPLEMENT_MODULE (see ../CoreMinimal.h for what these stubs are and are not).
// Like the real one it needs a complete, default-constructible IModuleInterface subclass and a
// module name that is an identifier.
#pragma once

#include "CoreMinimal.h"
#include "Modules/ModuleInterface.h"

#include <type_traits>

#define IMPLEMENT_MODULE(ModuleImplClass, ModuleName)                                              \
    extern "C" IModuleInterface *InitializeModule_##ModuleName() {                                 \
        static_assert(std::is_base_of_v<IModuleInterface, ModuleImplClass>,                        \
                      "a module class derives from IModuleInterface");                             \
        return new ModuleImplClass();                                                              \
    }

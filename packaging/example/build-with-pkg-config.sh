# Shared: the rpath lets the program find the library in a prefix the loader does not search.
cc -o game_server game_server.c $(pkg-config --cflags --libs gamelift-auth) \
   -Wl,-rpath,"$(pkg-config --variable=libdir gamelift-auth)"

# Static: the archive itself, then the system libraries it needs (Libs.private);
# --as-needed drops the -lgamelift_auth (shared) that --libs also names.
cc -o game_server_static game_server.c $(pkg-config --cflags gamelift-auth) \
   -Wl,--as-needed "$(pkg-config --variable=libdir gamelift-auth)/libgamelift_auth.a" \
   $(pkg-config --static --libs gamelift-auth)

fn main() {
    std::process::exit(bilik::run(std::env::args().skip(1).collect()));
}

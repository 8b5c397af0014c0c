fn main() {
    distlab_web::start();
}

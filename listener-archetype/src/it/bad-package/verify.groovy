String log = new File(basedir, 'build.log').text
assert log.contains("package 'com.acme.class.2inbox' is not a Java package name") : 'no message naming the bad package'
assert log.contains("'class', '2inbox'") : 'the bad parts are not named'
assert log.contains('BUILD FAILURE')
assert !new File(basedir, 'bad-package-listener').exists() : 'a broken project was left behind'
true

echo sh-start
echo bg-ran > /bgout &
mkdir shdir
cd shdir
echo alpha > a
echo beta gamma > b
cat a b | wc
wc < b
ln a c
cat c
grep gamma a b
rm c
cat c
(echo one ; echo two two) | wc
echo x | cat | cat | cat
echo )
cd /
cat bgout
ls shdir
exit 7
